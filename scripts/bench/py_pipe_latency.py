"""The anchor of scripts/bench/latency: round trip of one small int through a
multiprocessing Pipe to an idle child process that answers at once (as job_latency, the
pair sits idle 2 ms before each round trip). Prints "P50_US P99_US MAX_US".
Usage: py_pipe_latency.py SAMPLES"""
import multiprocessing
import sys
import time


def echo(conn):
    while True:
        n = conn.recv()
        if n is None:
            return
        conn.send(n & 1)


def main():
    samples = int(sys.argv[1])
    parent, child = multiprocessing.Pipe()
    worker = multiprocessing.Process(target=echo, args=(child,))
    worker.start()
    micros = []
    for i in range(samples + 10):  # 10 warm-up round trips
        time.sleep(0.002)
        start = time.perf_counter()
        parent.send(i)
        parent.recv()
        if i >= 10:
            micros.append((time.perf_counter() - start) * 1e6)
    parent.send(None)
    worker.join()
    micros.sort()
    pick = lambda p: micros[int(p * (len(micros) - 1))]
    print(f"{pick(0.5):.1f} {pick(0.99):.1f} {pick(1.0):.1f}")


if __name__ == "__main__":
    main()

// Serves `forkline files` chunks: a job is a file range (files/wire.hpp), the result its
// counts. Errors reading the file are part of the result, not a failed job.
#include <forkline/serve.hpp>

#include "chunk.hpp"
#include "wire.hpp"

int main() {
    return forkline::serve([](std::span<const std::byte> job, std::span<std::byte> out) {
        return files::encode_result(files::analyze_chunk(files::decode_job(job)), out);
    });
}

// The Lua scripts of the protocol: each is one atomic step (docs/redis.md, "Protocol").
// Redis runs a script as a whole or not at all, so a client killed mid-step leaves either
// the state before or the state after. A script that may create a key gives it the
// leftover TTL, so a run whose supervisor is SIGKILLed leaves nothing that never expires.
// Lua's unpack() takes at most ~8000 values: callers send at most kMaxBatch entries.
#pragma once

namespace forkline::redis::scripts {

inline constexpr unsigned kMaxBatch = 1000;  // jobs or results per script call

// KEYS runs, alive · ARGV run, alive ttl ms. Opens a run: workers find it in `runs`.
inline constexpr const char* kOpenRun = R"(
local t = redis.call('TIME')
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
redis.call('ZADD', KEYS[1], t[1] * 1000 + math.floor(t[2] / 1000), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
return 1)";

// KEYS alive, done, workers, heartbeat · ARGV worker, ttl ms, leftover ttl ms. 1:
// registered; 0: the run is over or closed to new workers (its sentinels are counted already).
inline constexpr const char* kRegister = R"(
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
return 1)";

// KEYS alive, workers, heartbeat, processing · ARGV worker, ttl ms, leftover ttl ms.
// -1: the run is gone; 0: this worker was reaped (its jobs requeued); 1: beat.
inline constexpr const char* kHeartbeat = R"(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return 1)";

// KEYS jobs, processing, workers · ARGV worker, max (≤ kMaxBatch), leftover ttl ms. Moves
// up to max jobs from the right end of jobs to the worker's processing list (three
// commands, not one per job); stops after a sentinel (one per worker). false: this worker
// was reaped.
inline constexpr const char* kClaim = R"(
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 0 then return false end
local v = redis.call('LRANGE', KEYS[1], -tonumber(ARGV[2]), -1)
local out = {}
for i = #v, 1, -1 do
  out[#out + 1] = v[i]
  if v[i] == 'S' then break end
end
if #out == 0 then return out end
redis.call('LTRIM', KEYS[1], 0, -#out - 1)
redis.call('LPUSH', KEYS[2], unpack(out))
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return out)";

// KEYS alive, processing, results · ARGV leftover ttl ms, result₁, job₁, result₂, job₂, …
// (≤ kMaxBatch pairs). Pushes the results (one stream entry, a field r each) and removes one
// copy of each of their jobs from processing, all at once. Removal compares entries, never
// counts: a call resent after a lost reply must not drop jobs the worker still runs. The
// list is rebuilt in one pass (LREM per job would cost O(held) each). 0: run over.
inline constexpr const char* kComplete = R"(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local fields, finished = {}, {}
for i = 2, #ARGV, 2 do
  fields[#fields + 1] = 'r'
  fields[#fields + 1] = ARGV[i]
  finished[ARGV[i + 1]] = (finished[ARGV[i + 1]] or 0) + 1
end
redis.call('XADD', KEYS[3], '*', unpack(fields))
redis.call('PEXPIRE', KEYS[3], ARGV[1])
local held = redis.call('LRANGE', KEYS[2], 0, -1)
local kept = {}
for _, v in ipairs(held) do
  if (finished[v] or 0) > 0 then finished[v] = finished[v] - 1 else kept[#kept + 1] = v end
end
if #kept == #held then return 1 end
redis.call('DEL', KEYS[2])
for i = 1, #kept, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(kept, i, math.min(i + 999, #kept)))
end
if #kept > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
return 1)";

// KEYS workers, heartbeat, processing, jobs, results, dead · ARGV worker, max attempts,
// leftover ttl ms. A worker whose heartbeat expired: requeue its jobs with attempt + 1 (or
// report them worker_died past max attempts), drop its sentinel, move it to dead. 1: reaped
// now; 0: a dead worker's list swept again (a worker reaped while alive may BLMOVE once more
// before it notices: a sentinel found then was meant for a live worker and goes back, or
// that worker would wait for it forever); -1: it is alive, or not of this run.
inline constexpr const char* kReap = R"(
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local fresh = redis.call('SREM', KEYS[1], ARGV[1])
if fresh == 0 and redis.call('SISMEMBER', KEYS[6], ARGV[1]) == 0 then return -1 end
redis.call('SADD', KEYS[6], ARGV[1])
while true do
  local v = redis.call('RPOP', KEYS[3])
  if not v then break end
  local id, attempt, rest = string.match(v, '^J(%d+):(%d+):()')
  if id then
    attempt = tonumber(attempt)
    if attempt >= tonumber(ARGV[2]) then
      redis.call('XADD', KEYS[5], '*', 'r', 'R' .. id .. ':' .. attempt .. ':2:0:0:0:0:')
    else
      redis.call('RPUSH', KEYS[4], 'J' .. id .. ':' .. (attempt + 1) .. ':' .. string.sub(v, rest))
    end
  elseif v == 'S' and fresh == 0 then
    redis.call('RPUSH', KEYS[4], v)
  end
end
for i = 4, 6 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return fresh)";

// KEYS workers, processing, jobs · ARGV worker, leftover ttl ms. A worker leaving on
// request (SIGTERM): its jobs go back to the front of the queue at once, same attempt (no
// heartbeat to wait for).
inline constexpr const char* kRelease = R"(
redis.call('SREM', KEYS[1], ARGV[1])
while redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do end
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 1)";

// KEYS done, workers, runs, jobs · ARGV run, leftover ttl ms. Every result is in: no new
// workers, stale job copies dropped; returns the registered workers (one sentinel each).
inline constexpr const char* kCloseRun = R"(
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[4])
return redis.call('SMEMBERS', KEYS[2]))";

}  // namespace forkline::redis::scripts

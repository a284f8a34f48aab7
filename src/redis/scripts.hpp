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

// KEYS alive, processing, results, jobs, workers · ARGV worker, leftover ttl ms, room
// (≤ kMaxBatch), results, trim, oldest, newest. A worker's one call per batch, with O(1)
// work in Lua per batch apart from the claim:
// - `results` (unless empty): the batch of result entries, each as "<length>:<entry>", as
//   one stream entry of one field b (entry_batch(), entry.hpp);
// - `trim` done entries leave the right end of processing, if they are still there: the
//   rightmost starts with `oldest`, the trim-th from the right with `newest` (a job's
//   "J<id>:<attempt>:" header, or the whole entry). A call resent after a lost reply finds
//   them gone and removes nothing else;
// - up to `room` jobs move from the right end of jobs to the left of processing, stopping
//   after a sentinel (one per worker).
// -1: the run is over; {0}: this worker was reaped (nothing claimed); {1, entry…}: the
// entries claimed, oldest first.
inline constexpr const char* kExchange = R"(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if #ARGV[4] > 0 then
  redis.call('XADD', KEYS[3], '*', 'b', ARGV[4])
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
end
local trim = tonumber(ARGV[5])
if trim > 0 then
  local oldest = redis.call('LINDEX', KEYS[2], -1)
  local newest = redis.call('LINDEX', KEYS[2], -trim)
  if oldest and newest and string.sub(oldest, 1, #ARGV[6]) == ARGV[6] and
     string.sub(newest, 1, #ARGV[7]) == ARGV[7] then
    redis.call('LTRIM', KEYS[2], 0, -trim - 1)
  end
end
local room = tonumber(ARGV[3])
if room == 0 then return {1} end
if redis.call('SISMEMBER', KEYS[5], ARGV[1]) == 0 then return {0} end
local v = redis.call('LRANGE', KEYS[4], -room, -1)
local out = {1}
for i = #v, 1, -1 do
  out[#out + 1] = v[i]
  if v[i] == 'S' then break end
end
if #out == 1 then return out end
redis.call('LTRIM', KEYS[4], 0, -#out)
redis.call('LPUSH', KEYS[2], unpack(out, 2))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return out)";

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

// KEYS jobs · ARGV leftover ttl ms. The supervisor stops early: the jobs no worker has
// claimed leave the queue (anything else in it stays); returns their ids.
inline constexpr const char* kWithdrawQueued = R"(
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
local ids = {}
local kept = 0
redis.call('DEL', KEYS[1])
for _, v in ipairs(entries) do
  local id = string.match(v, '^J(%d+):')
  if id then
    ids[#ids + 1] = id
  else
    redis.call('RPUSH', KEYS[1], v)
    kept = kept + 1
  end
end
if kept > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return ids)";

// KEYS done, workers, runs, jobs · ARGV run, leftover ttl ms. Every result is in: no new
// workers, stale job copies dropped; returns the registered workers (one sentinel each).
inline constexpr const char* kCloseRun = R"(
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[4])
return redis.call('SMEMBERS', KEYS[2]))";

}  // namespace forkline::redis::scripts

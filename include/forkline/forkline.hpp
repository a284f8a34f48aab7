// The whole public API of libforkline.
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <forkline/codec.hpp>
#include <forkline/error.hpp>
#include <forkline/job_pool.hpp>
#include <forkline/ordered.hpp>
#include <forkline/pipeline.hpp>
#include <forkline/pool.hpp>
#include <forkline/pool_defaults.hpp>
#include <forkline/serve.hpp>

// The whole public API of libforkline.
#pragma once

#include <forkline/error.hpp>
#include <forkline/ordered.hpp>
#include <forkline/pipeline.hpp>
#include <forkline/pool.hpp>
#include <forkline/serve.hpp>

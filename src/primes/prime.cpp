// Speed-ups over primes.py, all exact:
// - a 2·3·5 wheel: only candidates coprime to 30 are tried (8 of every 30 numbers);
// - below 2^54, division in double precision (64-bit integer division is several times
//   slower). n = hi + lo with hi = double(n) and |lo| <= 1; q = trunc(hi / d) is the integer
//   quotient or one off (q < 2^50 for d >= 31), fma(-q, d, hi) + lo is n - q·d computed
//   exactly, so d divides n iff that remainder is -d, 0 or d;
// - on CPUs with AVX2+FMA, eight candidates per step in two 4-lane vectors (chosen at run
//   time, so one binary runs everywhere).
#include "prime.hpp"

#include <immintrin.h>

#include <cmath>

namespace primes {

namespace {

constexpr std::uint64_t kExactDoubleLimit = std::uint64_t{1} << 54;
constexpr double kWheel[8] = {1, 7, 11, 13, 17, 19, 23, 29};  // residues coprime to 30

std::uint64_t isqrt(std::uint64_t n) {
    // Divisions, not squares: (root + 1)^2 overflows 64 bits near 2^64.
    auto root = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(n)));
    while (root > n / root) --root;
    while (root + 1 <= n / (root + 1)) ++root;
    return root;
}

// n as hi + lo, both exact doubles (see above).
struct Split {
    double hi;
    double lo;
    explicit Split(std::uint64_t n)
        : hi(static_cast<double>(n)),
          lo(static_cast<double>(static_cast<std::int64_t>(n - static_cast<std::uint64_t>(hi)))) {}
};

bool divides(const Split& n, double d) {
    const double remainder = std::fabs(std::fma(-std::trunc(n.hi / d), d, n.hi) + n.lo);
    return remainder == 0.0 || remainder == d;
}

// Any divisor among base + kWheel[i], for blocks base = 30, 60, … while base + 29 <= root.
// Returns the first base not yet tried.
std::uint64_t scan_blocks_scalar(const Split& n, std::uint64_t root, bool& found) {
    std::uint64_t base = 30;
    for (; base + 29 <= root; base += 30) {
        bool hit = false;
        for (double offset : kWheel) hit |= divides(n, static_cast<double>(base) + offset);
        if (hit) {
            found = true;
            return base;
        }
    }
    return base;
}

__attribute__((target("avx2,fma"))) std::uint64_t scan_blocks_avx2(const Split& n,
                                                                   std::uint64_t root,
                                                                   bool& found) {
    const __m256d hi = _mm256_set1_pd(n.hi);
    const __m256d lo = _mm256_set1_pd(n.lo);
    const __m256d sign = _mm256_set1_pd(-0.0);
    const __m256d low = _mm256_setr_pd(1, 7, 11, 13);
    const __m256d high = _mm256_setr_pd(17, 19, 23, 29);
    const __m256d zero = _mm256_setzero_pd();
    __m256d base = _mm256_set1_pd(30);
    const __m256d step = _mm256_set1_pd(30);
    std::uint64_t block = 30;
    for (; block + 29 <= root; block += 30, base = _mm256_add_pd(base, step)) {
        const __m256d d1 = _mm256_add_pd(base, low);
        const __m256d d2 = _mm256_add_pd(base, high);
        const __m256d q1 =
            _mm256_round_pd(_mm256_div_pd(hi, d1), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m256d q2 =
            _mm256_round_pd(_mm256_div_pd(hi, d2), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m256d r1 = _mm256_andnot_pd(sign, _mm256_add_pd(_mm256_fnmadd_pd(q1, d1, hi), lo));
        const __m256d r2 = _mm256_andnot_pd(sign, _mm256_add_pd(_mm256_fnmadd_pd(q2, d2, hi), lo));
        const __m256d hits1 =
            _mm256_or_pd(_mm256_cmp_pd(r1, zero, _CMP_EQ_OQ), _mm256_cmp_pd(r1, d1, _CMP_EQ_OQ));
        const __m256d hits2 =
            _mm256_or_pd(_mm256_cmp_pd(r2, zero, _CMP_EQ_OQ), _mm256_cmp_pd(r2, d2, _CMP_EQ_OQ));
        const __m256d hits = _mm256_or_pd(hits1, hits2);
        if (_mm256_movemask_pd(hits) != 0) {
            found = true;
            return block;
        }
    }
    return block;
}

bool has_avx2_fma() {
    static const bool supported = [] {
        __builtin_cpu_init();  // not yet run by libgcc's constructor in a static executable
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }();
    return supported;
}

bool is_prime_integer(std::uint64_t n, std::uint64_t root) {
    for (std::uint64_t d = 3; d <= root; d += 2) {
        if (n % d == 0) return false;
    }
    return true;
}

}  // namespace

bool is_prime(std::uint64_t n) {
    if (n < 2) return false;
    if (n < 4) return true;
    if (n % 2 == 0) return false;
    const auto root = isqrt(n);
    if (n >= kExactDoubleLimit) return is_prime_integer(n, root);
    // Small divisors 3..29 (3 and 5 are outside the wheel; the first block starts at 31).
    for (std::uint64_t d = 3; d <= 29 && d <= root; d += 2) {
        if (n % d == 0) return false;
    }
    const Split nd(n);
    bool found = false;
    const auto base =
        has_avx2_fma() ? scan_blocks_avx2(nd, root, found) : scan_blocks_scalar(nd, root, found);
    if (found) return false;
    // The last partial block, candidate by candidate.
    for (double offset : kWheel) {
        const auto d = base + static_cast<std::uint64_t>(offset);
        if (d <= root && divides(nd, static_cast<double>(d))) return false;
    }
    return true;
}

}  // namespace primes

#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "numbers.hpp"
#include "prime.hpp"

namespace {

bool is_prime_reference(std::uint64_t n) {  // primes.py, literally
    if (n < 2) return false;
    if (n == 2) return true;
    if (n % 2 == 0) return false;
    for (std::uint64_t i = 3; i * i <= n; i += 2) {
        if (n % i == 0) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("the 20 classic numbers match primes.tsv") {
    std::ifstream tsv(TEST_DATA_DIR "/primes.tsv");
    REQUIRE(tsv);
    std::string header;
    std::getline(tsv, header);
    std::size_t rows = 0;
    for (std::uint64_t n; tsv >> n;) {
        int prime = -1;
        tsv >> prime;
        CHECK_MESSAGE(primes::is_prime(n) == (prime == 1), n);
        CHECK(primes::classic_numbers().at(rows) == n);
        ++rows;
    }
    CHECK(rows == 20);
}

TEST_CASE("agrees with plain trial division on every small number") {
    for (std::uint64_t n = 0; n < 200000; ++n)
        REQUIRE_MESSAGE(primes::is_prime(n) == is_prime_reference(n), n);
}

TEST_CASE("exact near the double-precision limits") {
    // Squares of primes and products of close primes around 2^53 and 2^54, where a
    // floating-point shortcut would go wrong first.
    const std::uint64_t primes_near_2_26[] = {67108859, 67108837, 67108819};
    const std::uint64_t primes_near_2_27[] = {134217689, 134217649, 134217617};
    for (auto p : primes_near_2_26) {
        for (auto q : primes_near_2_27) {
            CHECK_FALSE(primes::is_prime(p * q));
            CHECK_FALSE(primes::is_prime(p * p));
            CHECK_FALSE(primes::is_prime(q * q));
        }
    }
    // Around 2^53 and 2^54, both sides of the double / integer switch.
    for (std::uint64_t n :
         {9007199254740881ull, 9007199254740993ull, 18014398509481951ull, 18014398509481984ull - 1,
          18014398509481984ull + 1, 18014398509482143ull}) {
        CHECK_MESSAGE(primes::is_prime(n) == is_prime_reference(n), n);
    }
    CHECK_FALSE(primes::is_prime(18446744073709551615u));
    std::mt19937_64 random(42);
    for (int i = 0; i < 2000; ++i) {
        const auto n = (std::uint64_t{1} << 53) + random() % (std::uint64_t{1} << 53);
        const auto odd = n | 1;
        // Only composites with a small factor can be checked cheaply by the reference.
        for (std::uint64_t d = 3; d < 1000; d += 2) {
            if (odd % d == 0) {
                REQUIRE_FALSE(primes::is_prime(odd));
                break;
            }
        }
    }
}

TEST_CASE("parse_number accepts 0..2^64-1 and nothing else") {
    CHECK(primes::parse_number("0") == 0u);
    CHECK(primes::parse_number(" 42 ") == 42u);
    CHECK(primes::parse_number("18446744073709551615") == 18446744073709551615u);
    for (const char* bad :
         {"", " ", "-1", "+1", "1.5", "1e3", "abc", "12abc", "18446744073709551616", "0x10"}) {
        CHECK_FALSE_MESSAGE(primes::parse_number(bad).has_value(), bad);
    }
}

TEST_CASE("read_numbers names the bad line") {
    std::istringstream good("2\n\n  3 \n");
    CHECK(primes::read_numbers(good, "x") == std::vector<std::uint64_t>{2, 3});
    std::istringstream bad("2\nthree\n");
    CHECK_THROWS_WITH_AS(primes::read_numbers(bad, "list.txt"), doctest::Contains("list.txt:2"),
                         std::runtime_error);
}

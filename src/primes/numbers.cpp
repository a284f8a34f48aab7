#include "numbers.hpp"

#include <charconv>
#include <stdexcept>

namespace primes {

const std::vector<std::uint64_t>& classic_numbers() {
    static const std::vector<std::uint64_t> numbers = {
        2,
        142702110479723,
        299593572317531,
        3333333333333301,
        3333333333333333,
        3333335652092209,
        4444444444444423,
        4444444444444444,
        4444444488888889,
        5555553133149889,
        5555555555555503,
        5555555555555555,
        6666666666666666,
        6666666666666719,
        6666667141414921,
        7777777536340681,
        7777777777777753,
        7777777777777777,
        9999999999999917,
        9999999999999999,
    };
    return numbers;
}

namespace {

std::string_view trim(std::string_view text) {
    const auto blank = " \t\r\n";
    const auto first = text.find_first_not_of(blank);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(blank) - first + 1);
}

}  // namespace

std::optional<std::uint64_t> parse_number(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::vector<std::uint64_t> read_numbers(std::istream& in, const std::string& source_name) {
    std::vector<std::uint64_t> numbers;
    std::string line;
    for (std::size_t line_number = 1; std::getline(in, line); ++line_number) {
        if (trim(line).empty()) continue;
        const auto number = parse_number(line);
        if (!number) {
            throw std::runtime_error(source_name + ":" + std::to_string(line_number) +
                                     ": not a number in 0..2^64-1: '" +
                                     std::string(trim(line).substr(0, 40)) + "'");
        }
        numbers.push_back(*number);
    }
    if (in.bad()) throw std::runtime_error(source_name + ": read error");
    return numbers;
}

}  // namespace primes

// Serves port-scan jobs: which of these pids hold these socket inodes (ports::OwnerQuery).
#include <algorithm>
#include <forkline/serve.hpp>
#include <stdexcept>
#include <string_view>

#include "owner_query.hpp"

int main() {
    return forkline::serve([](std::span<const std::byte> job, std::span<std::byte> out) {
        const std::string_view text(reinterpret_cast<const char*>(job.data()), job.size());
        const auto answer = ports::encode_owners(ports::find_owners(ports::decode_query(text)));
        if (answer.size() > out.size()) throw std::length_error("answer exceeds the result slot");
        std::copy_n(reinterpret_cast<const std::byte*>(answer.data()), answer.size(), out.data());
        return answer.size();
    });
}

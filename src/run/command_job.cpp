#include "command_job.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

namespace run {

namespace {

// Fixed part of the encoding, followed by the text fields (text_fields()).
struct Header {
    std::uint64_t seq;
    double timeout_s;
    double grace_s;
    std::uint32_t command_size;
    std::uint32_t input_size;
    std::uint32_t stdout_path_size;
    std::uint32_t stderr_path_size;
    std::uint32_t shell_program_size;
    std::uint8_t shell;
    std::uint8_t pad[3];
};

// The variable parts in the order they follow the header (Job: CommandJob, const or not).
template <typename Job>
auto text_fields(Job& job) {
    return std::array{&job.command, &job.input, &job.stdout_path, &job.stderr_path,
                      &job.shell_program};
}

}  // namespace

std::vector<std::byte> encode(const CommandJob& job) {
    const auto size = [](const std::string& text) {
        return static_cast<std::uint32_t>(text.size());
    };
    Header header{job.seq,
                  job.timeout_s,
                  job.grace_s,
                  size(job.command),
                  size(job.input),
                  size(job.stdout_path),
                  size(job.stderr_path),
                  size(job.shell_program),
                  static_cast<std::uint8_t>(job.shell ? 1 : 0),
                  {}};
    std::vector<std::byte> bytes(sizeof header);
    std::memcpy(bytes.data(), &header, sizeof header);
    for (const auto* text : text_fields(job)) {
        const auto* begin = reinterpret_cast<const std::byte*>(text->data());
        bytes.insert(bytes.end(), begin, begin + text->size());
    }
    return bytes;
}

CommandJob decode(std::span<const std::byte> bytes) {
    Header header{};
    if (bytes.size() < sizeof header) throw std::runtime_error("command job too short");
    std::memcpy(&header, bytes.data(), sizeof header);
    const std::array<std::uint32_t, 5> sizes{header.command_size, header.input_size,
                                             header.stdout_path_size, header.stderr_path_size,
                                             header.shell_program_size};
    std::size_t total = sizeof header;
    for (const auto size : sizes) total += size;
    if (bytes.size() != total) throw std::runtime_error("command job sizes do not add up");
    CommandJob job;
    job.seq = header.seq;
    job.shell = header.shell != 0;
    job.timeout_s = header.timeout_s;
    job.grace_s = header.grace_s;
    const auto* text = reinterpret_cast<const char*>(bytes.data()) + sizeof header;
    const auto fields = text_fields(job);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        fields[i]->assign(text, sizes[i]);
        text += sizes[i];
    }
    return job;
}

OutputPaths output_paths(const std::filesystem::path& directory, std::uint64_t seq) {
    const auto stem = std::to_string(seq);
    return {directory / (stem + ".out"), directory / (stem + ".err")};
}

}  // namespace run

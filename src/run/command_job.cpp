#include "command_job.hpp"

#include <cstring>
#include <stdexcept>

namespace run {

namespace {

// Fixed part of the encoding, followed by the command and the input bytes.
struct Header {
    std::uint64_t seq;
    double timeout_s;
    double grace_s;
    std::uint32_t command_size;
    std::uint32_t input_size;
    std::uint32_t shell_program_size;
    std::uint8_t shell;
    std::uint8_t pad[3];
};

}  // namespace

std::vector<std::byte> encode(const CommandJob& job) {
    Header header{job.seq,
                  job.timeout_s,
                  job.grace_s,
                  static_cast<std::uint32_t>(job.command.size()),
                  static_cast<std::uint32_t>(job.input.size()),
                  static_cast<std::uint32_t>(job.shell_program.size()),
                  static_cast<std::uint8_t>(job.shell ? 1 : 0),
                  {}};
    std::vector<std::byte> bytes(sizeof header);
    std::memcpy(bytes.data(), &header, sizeof header);
    for (const std::string* text : {&job.command, &job.input, &job.shell_program}) {
        const auto* data = reinterpret_cast<const std::byte*>(text->data());
        bytes.insert(bytes.end(), data, data + text->size());
    }
    return bytes;
}

CommandJob decode(std::span<const std::byte> bytes) {
    Header header{};
    if (bytes.size() < sizeof header) throw std::runtime_error("command job too short");
    std::memcpy(&header, bytes.data(), sizeof header);
    if (bytes.size() != sizeof header + std::size_t{header.command_size} + header.input_size +
                            header.shell_program_size) {
        throw std::runtime_error("command job sizes do not add up");
    }
    const auto* text = reinterpret_cast<const char*>(bytes.data()) + sizeof header;
    const auto* input = text + header.command_size;
    const auto* shell_program = input + header.input_size;
    return {header.seq,
            header.shell != 0,
            header.timeout_s,
            header.grace_s,
            std::string(text, header.command_size),
            std::string(input, header.input_size),
            std::string(shell_program, header.shell_program_size)};
}

OutputPaths output_paths(const std::filesystem::path& directory, std::uint64_t seq) {
    const auto stem = std::to_string(seq);
    return {directory / (stem + ".out"), directory / (stem + ".err")};
}

}  // namespace run

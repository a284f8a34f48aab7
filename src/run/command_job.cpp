#include "command_job.hpp"

#include <algorithm>
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
    std::uint32_t output_key_size;
    std::uint64_t max_output;
    std::uint8_t shell;
    std::uint8_t pad[7];
};

// The variable parts in the order they follow the header (Job: CommandJob, const or not).
template <typename Job>
auto text_fields(Job& job) {
    return std::array{&job.command,     &job.input,         &job.stdout_path,
                      &job.stderr_path, &job.shell_program, &job.output_key};
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
                  size(job.output_key),
                  job.max_output,
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
    const std::array<std::uint32_t, 6> sizes{header.command_size,       header.input_size,
                                             header.stdout_path_size,   header.stderr_path_size,
                                             header.shell_program_size, header.output_key_size};
    std::size_t total = sizeof header;
    for (const auto size : sizes) total += size;
    if (bytes.size() != total) throw std::runtime_error("command job sizes do not add up");
    CommandJob job;
    job.seq = header.seq;
    job.shell = header.shell != 0;
    job.timeout_s = header.timeout_s;
    job.grace_s = header.grace_s;
    job.max_output = header.max_output;
    const auto* text = reinterpret_cast<const char*>(bytes.data()) + sizeof header;
    const auto fields = text_fields(job);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        fields[i]->assign(text, sizes[i]);
        text += sizes[i];
    }
    return job;
}

ResultView read_result(std::span<const std::byte> bytes) {
    ResultView view;
    if (bytes.size() < sizeof view.outcome)
        throw std::runtime_error("command_worker sent a short result");
    std::memcpy(&view.outcome, bytes.data(), sizeof view.outcome);
    const auto& o = view.outcome;
    std::string_view rest(reinterpret_cast<const char*>(bytes.data()) + sizeof o,
                          bytes.size() - sizeof o);
    const std::uint64_t inline_bytes = o.output_inline ? o.stdout_bytes + o.stderr_bytes : 0;
    if (rest.size() != o.host_bytes + o.output_id_bytes + inline_bytes)
        throw std::runtime_error("command_worker sent a result whose sizes do not add up");
    const auto take = [&](std::size_t n) {
        const auto part = rest.substr(0, n);
        rest.remove_prefix(n);
        return part;
    };
    view.host = take(o.host_bytes);
    view.output_id = take(o.output_id_bytes);
    if (o.output_inline) {
        view.stdout_data = take(o.stdout_bytes);
        view.stderr_data = take(o.stderr_bytes);
    }
    return view;
}

std::size_t write_result(const CommandOutcome& outcome, std::string_view host,
                         std::string_view output_id, std::string_view out, std::string_view err,
                         std::span<std::byte> result) {
    CommandOutcome head = outcome;
    head.host_bytes = static_cast<std::uint8_t>(std::min<std::size_t>(host.size(), 255));
    head.output_id_bytes = static_cast<std::uint8_t>(std::min<std::size_t>(output_id.size(), 255));
    host = host.substr(0, head.host_bytes);
    output_id = output_id.substr(0, head.output_id_bytes);
    std::size_t size = 0;
    const auto put = [&](const void* data, std::size_t n) {
        if (n != 0) std::memcpy(result.data() + size, data, n);
        size += n;
    };
    put(&head, sizeof head);
    put(host.data(), host.size());
    put(output_id.data(), output_id.size());
    if (head.output_inline) {
        put(out.data(), out.size());
        put(err.data(), err.size());
    }
    return size;
}

OutputPaths output_paths(const std::filesystem::path& directory, std::uint64_t seq) {
    const auto stem = std::to_string(seq);
    return {directory / (stem + ".out"), directory / (stem + ".err")};
}

}  // namespace run

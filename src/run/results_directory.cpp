#include "results_directory.hpp"

#include <cerrno>
#include <charconv>
#include <nlohmann/json.hpp>

#include "durable_file.hpp"
#include "job_report.hpp"
#include "open_file.hpp"
#include "os_error.hpp"
#include "output.hpp"
#include "platform.hpp"
#include "tool.hpp"
#include "utf8_path.hpp"

namespace run {

namespace {

constexpr std::size_t kMaxName = 255;  // a file name's bytes at most (NAME_MAX; NTFS: 255)

void write_file(const std::filesystem::path& path, std::string_view text) {
    const auto file = open_for_writing(path, OpenFor::replacing);
    if (!file.valid()) forkline::throw_os_error("cannot create " + cli::quoted(path.string()));
    cli::write_all(file.get(), text, path.string());
}

std::optional<long long> read_number(const std::filesystem::path& path) {
    std::string text;
    try {
        text = read_whole_file(path);
    } catch (const forkline::OsError&) {
        return std::nullopt;
    }
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Windows names device files in every folder: CON, PRN, AUX, NUL, COM1-9 and LPT1-9, with
// or without an extension, in any case.
bool is_device_name(std::string_view name) {
    const auto base = name.substr(0, name.find('.'));
    std::string upper;
    for (const char c : base)
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "CON" || upper == "PRN" || upper == "AUX" || upper == "NUL") return true;
    return upper.size() == 4 && (upper.starts_with("COM") || upper.starts_with("LPT")) &&
           upper[3] >= '1' && upper[3] <= '9';
}

std::string posix_result_folder_name(std::string_view value) {
    std::string name;
    if (value.empty() || value == "." || value == "..") name = "\\";  // \ \. \..
    for (const char c : value) {
        switch (c) {
            case '\\':
                name += "\\\\";
                break;
            case '/':
                name += "\\_";
                break;
            case '\t':
                name += "\\t";
                break;
            case '\0':
                name += "\\0";
                break;
            default:
                name += c;
        }
    }
    if (name.size() > kMaxName) name.resize(kMaxName);
    return name;
}

std::string escaped(char c) {
    constexpr char kHex[] = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(c);
    return {'%', kHex[byte >> 4], kHex[byte & 15]};
}

}  // namespace

std::string windows_result_folder_name(std::string_view value) {
    if (value.empty()) return "%";
    std::string name;
    bool cut = false;
    for (std::size_t i = 0; i < value.size() && !cut; ++i) {
        const char c = value[i];
        const bool last = i + 1 == value.size();
        const bool forbidden = static_cast<unsigned char>(c) < 0x20 ||
                               std::string_view("<>:\"/\\|?*%").find(c) != std::string_view::npos;
        const auto spelled =
            forbidden || (last && (c == '.' || c == ' ')) || (i == 0 && is_device_name(value))
                ? escaped(c)
                : std::string(1, c);
        cut = name.size() + spelled.size() > kMaxName;  // cut before an escape, not inside
        if (!cut) name += spelled;
    }
    // A name cut short must not end in what Windows drops: its last such byte is escaped.
    while (cut && (name.ends_with('.') || name.ends_with(' '))) {
        const char c = name.back();
        name.pop_back();
        if (name.size() + 3 <= kMaxName) {
            name += escaped(c);
            break;
        }
    }
    return name;
}

std::string result_folder_name(std::string_view value) {
    return forkline::kWindows ? windows_result_folder_name(value) : posix_result_folder_name(value);
}

std::string read_whole_file(const std::filesystem::path& path) {
    const auto file = forkline::open_for_reading(forkline::utf8_string(path));
    if (!file.valid()) forkline::throw_os_error("cannot open " + cli::quoted(path.string()));
    std::string text;
    char buffer[65536];
    for (ssize_t n; (n = ::read(file.get(), buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) forkline::throw_os_error("cannot read " + cli::quoted(path.string()));
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

ResultsDirectory::ResultsDirectory(std::filesystem::path root, bool resume)
    : root_(std::move(root)) {
    std::error_code error;
    std::filesystem::create_directories(root_, error);
    if (error) {
        forkline::throw_os_error("cannot create --results directory " + cli::quoted(root_.string()),
                                 error.value());
    }
    const auto index = root_ / "index.jsonl";
    index_ = open_for_writing(index, resume ? OpenFor::appending : OpenFor::appending_to_empty);
    if (!index_.valid()) forkline::throw_os_error("cannot open " + cli::quoted(index.string()));
}

std::filesystem::path ResultsDirectory::job_folder(const JobSpec& job) const {
    auto folder = root_;
    if (job.arguments.empty())
        return folder / "1" / forkline::utf8_path(result_folder_name(job.command));
    for (const auto& record : job.arguments) {
        for (std::size_t column = 0; column < record.size(); ++column)
            folder = folder / std::to_string(column + 1) /
                     forkline::utf8_path(result_folder_name(record[column]));
    }
    return folder;
}

OutputPaths ResultsDirectory::prepare(const JobSpec& job) const {
    const auto folder = job_folder(job);
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error)
        forkline::throw_os_error("cannot create " + cli::quoted(folder.string()), error.value());
    std::filesystem::remove(folder / "exitval", error);
    return {folder / "stdout", folder / "stderr"};
}

void ResultsDirectory::finish(const FinishedJob& job) {
    const auto folder = job_folder(job.spec);
    write_file(folder / "seq", std::to_string(job.spec.seq));
    write_file(folder / "signal", std::to_string(job.signal));
    // The exit status comes last and whole: a folder that has one is a finished job's.
    write_file(folder / "exitval.new", std::to_string(job.exit_code));
    std::error_code error;
    std::filesystem::rename(folder / "exitval.new", folder / "exitval", error);
    if (error) {
        throw forkline::Error("cannot rename " + cli::quoted((folder / "exitval.new").string()) +
                              ": " + error.message());
    }
    const nlohmann::json line{
        {"seq", job.spec.seq},
        {"exit_code", job.exit_code},
        {"signal", job.signal != 0 ? nlohmann::json(signal_name(job.signal)) : nlohmann::json()},
        {"timed_out", job.timed_out},
        {"command", job.spec.command},
        {"directory", forkline::utf8_string(folder.lexically_relative(root_))},
    };
    cli::write_all(index_.get(),
                   line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                   (root_ / "index.jsonl").string());
}

void ResultsDirectory::sync() const {
    if (const int error = sync_file_system(index_.get()); error != 0)
        throw cli::OutputError(root_.string(), error);
}

std::optional<StoredResult> ResultsDirectory::read_finished(const JobSpec& job) const {
    const auto folder = job_folder(job);
    const auto exit_code = read_number(folder / "exitval");
    if (!exit_code) return std::nullopt;
    StoredResult stored;
    stored.seq = static_cast<std::uint64_t>(read_number(folder / "seq").value_or(0));
    stored.exit_code = static_cast<int>(*exit_code);
    stored.signal = static_cast<int>(read_number(folder / "signal").value_or(0));
    stored.stdout_path = folder / "stdout";
    stored.stderr_path = folder / "stderr";
    return stored;
}

}  // namespace run

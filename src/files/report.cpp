#include "report.hpp"

#include <string>

#include "json_path.hpp"
#include "printable.hpp"

namespace files {

Report build_report(const std::vector<FileEntry>& entries, const std::vector<PlannedChunk>& chunks,
                    const std::vector<ChunkResult>& results) {
    Report report;
    report.files.reserve(entries.size());
    for (const auto& entry : entries) report.files.push_back({entry, {}, {}});
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        FileReport& file = report.files[chunks[i].file];
        const ChunkResult& r = results[i];
        if (file.entry.status != FileStatus::ok) continue;  // an earlier chunk failed
        if (!r.error.empty()) {
            file.entry.status = FileStatus::failed;
            file.entry.reason = r.error;
        } else if (r.binary) {
            file.entry.status = FileStatus::binary;
            file.entry.reason = "NUL byte at offset " + std::to_string(r.binary_offset);
        } else {
            file.text = merge(file.text, r.text);
            add(file.log, r.log);
        }
    }
    report.total.entry.path = "total";
    for (auto& file : report.files) {
        switch (file.entry.status) {
            case FileStatus::ok:
                ++report.ok;
                report.total.text = merge(report.total.text, file.text);
                // Files are separate: a word never continues into the next file.
                report.total.text.ends_in_word = false;
                add(report.total.log, file.log);
                break;
            case FileStatus::binary:
                ++report.binary;
                break;
            case FileStatus::skipped:
                ++report.skipped;
                break;
            case FileStatus::failed:
                ++report.failed;
                break;
        }
        if (file.entry.status != FileStatus::ok) {  // counts of a partly read file mean nothing
            file.text = {};
            file.log = {};
        }
    }
    report.total.entry.size = report.total.text.bytes;
    return report;
}

namespace {

void print_row(const FileReport& f, std::FILE* out) {
    const auto& t = f.text;
    const auto& l = f.log.levels;
    std::fprintf(out, "%10llu %11llu %12llu %12llu %8llu %8llu %8llu %8llu  %s\n",
                 static_cast<unsigned long long>(t.lines), static_cast<unsigned long long>(t.words),
                 static_cast<unsigned long long>(t.chars), static_cast<unsigned long long>(t.bytes),
                 static_cast<unsigned long long>(l[kError]),
                 static_cast<unsigned long long>(l[kWarn]),
                 static_cast<unsigned long long>(l[kInfo]),
                 static_cast<unsigned long long>(l[kDebug]), cli::printable(f.entry.path).c_str());
}

void print_messages(const FileReport& f, const std::string& where, std::size_t top,
                    std::FILE* out) {
    if (top == 0 || f.log.errors.empty()) return;
    std::fprintf(out, "\nmost frequent errors %s%s:\n", cli::printable(where).c_str(),
                 f.log.dropped_errors != 0 ? " (approximate)" : "");
    for (const auto& m : top_messages(f.log.errors, top))
        std::fprintf(out, "%10llu  %s\n", static_cast<unsigned long long>(m.count),
                     cli::printable(m.message).c_str());
}

nlohmann::json counts_json(const FileReport& f, std::size_t top) {
    nlohmann::json j;
    j["bytes"] = f.text.bytes;
    j["lines"] = f.text.lines;
    j["words"] = f.text.words;
    j["chars"] = f.text.chars;
    for (std::size_t i = 0; i < kLevelNames.size(); ++i)
        j["levels"][kLevelNames[i]] = f.log.levels[i];
    j["top_errors"] = nlohmann::json::array();
    for (const auto& m : top_messages(f.log.errors, top))
        j["top_errors"].push_back({{"message", m.message}, {"count", m.count}});
    j["top_errors_exact"] = f.log.dropped_errors == 0;
    return j;
}

}  // namespace

void print_table(const Report& report, std::size_t top, std::FILE* out) {
    std::fprintf(out, "%10s %11s %12s %12s %8s %8s %8s %8s  %s\n", "lines", "words", "chars",
                 "bytes", "ERROR", "WARN", "INFO", "DEBUG", "file");
    for (const auto& f : report.files) {
        if (f.entry.status == FileStatus::ok) {
            print_row(f, out);
        } else {
            std::fprintf(out, "%10s %11s %12s %12s %8s %8s %8s %8s  %s  (%s: %s)\n", "-", "-", "-",
                         "-", "-", "-", "-", "-", cli::printable(f.entry.path).c_str(),
                         to_string(f.entry.status), cli::printable(f.entry.reason).c_str());
        }
    }
    print_row(report.total, out);
    std::fprintf(out, "%zu files counted, %zu binary, %zu skipped, %zu failed\n", report.ok,
                 report.binary, report.skipped, report.failed);
    if (report.ok > 1) {
        for (const auto& f : report.files) print_messages(f, "in " + f.entry.path, top, out);
    }
    print_messages(report.total, "in all files", top, out);
}

nlohmann::json to_json(const Report& report, std::size_t top) {
    nlohmann::json j;
    j["files"] = nlohmann::json::array();
    for (const auto& f : report.files) {
        nlohmann::json file =
            f.entry.status == FileStatus::ok ? counts_json(f, top) : nlohmann::json::object();
        set_path(file, f.entry.path);
        file["status"] = to_string(f.entry.status);
        if (f.entry.status != FileStatus::ok) file["reason"] = f.entry.reason;
        j["files"].push_back(std::move(file));
    }
    j["totals"] = counts_json(report.total, top);
    j["totals"]["files"] = report.files.size();
    j["totals"]["ok"] = report.ok;
    j["totals"]["binary"] = report.binary;
    j["totals"]["skipped"] = report.skipped;
    j["totals"]["failed"] = report.failed;
    return j;
}

}  // namespace files

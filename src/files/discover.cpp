#include "discover.hpp"

#include <algorithm>

#include "file_system.hpp"

namespace files {

const char* to_string(FileStatus status) {
    switch (status) {
        case FileStatus::ok:
            return "ok";
        case FileStatus::binary:
            return "binary";
        case FileStatus::skipped:
            return "skipped";
        case FileStatus::failed:
            return "failed";
    }
    return "?";
}

namespace {

bool matches(const std::vector<std::string>& patterns, const std::string& name) {
    if (patterns.empty()) return true;
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& pattern) { return name_matches(pattern, name); });
}

FileEntry failed(std::string path, std::string reason) {
    return {std::move(path), 0, FileStatus::failed, std::move(reason)};
}

FileEntry skipped(std::string path, std::string reason) {
    return {std::move(path), 0, FileStatus::skipped, std::move(reason)};
}

// A regular file: split by its size, or read to end of file when the size says nothing.
FileEntry regular(std::string path, const FileFacts& facts, bool pseudo_fs) {
    const auto reading = facts.size == 0 || pseudo_fs ? Reading::to_eof : Reading::range;
    return {std::move(path), facts.size, FileStatus::ok, {}, reading};
}

// `dir`/`name` as std::filesystem::path's operator/ joins them ("a/" + "b" is "a/b"). '/'
// on Windows too, which takes it: both builds name the files alike.
std::string child_path(const std::string& dir, const std::string& name) {
    return dir.ends_with('/') ? dir + name : dir + "/" + name;
}

void walk(const std::string& dir, const std::vector<std::string>& patterns,
          std::vector<FileEntry>& out) {
    std::string error;
    auto names = directory_names(dir, error);
    if (!names) {
        out.push_back(failed(dir, "cannot list directory: " + error));
        return;
    }
    std::sort(names->begin(), names->end());
    const bool pseudo_fs = sizes_are_made_up(dir);  // once per directory, not per file
    for (const auto& name : *names) {
        const std::string path = child_path(dir, name);
        const auto link = file_facts(path, false, error);
        if (!link) {
            out.push_back(failed(path, error));  // vanished meanwhile
            continue;
        }
        if (link->kind == FileKind::directory) {
            walk(path, patterns, out);
            continue;
        }
        if (!matches(patterns, name)) continue;
        const auto target = file_facts(path, true, error);
        if (!target) {
            out.push_back(failed(path, error));  // dangling symlink
        } else if (target->kind == FileKind::directory) {
            out.push_back(skipped(path, "symlink to a directory, not followed"));
        } else if (target->kind == FileKind::fifo) {
            out.push_back(skipped(path, "FIFO, read only when named"));
        } else if (target->kind != FileKind::regular) {
            out.push_back(skipped(path, "not a regular file"));
        } else {
            out.push_back(regular(path, *target, pseudo_fs));
        }
    }
}

}  // namespace

std::vector<FileEntry> discover(const std::vector<std::string>& paths,
                                const std::vector<std::string>& patterns) {
    std::vector<FileEntry> out;
    for (const auto& path : paths) {
        if (path == "-") {
            out.push_back({path, 0, FileStatus::ok, {}, Reading::stream});
            continue;
        }
        std::string error;
        const auto facts = file_facts(path, true, error);
        if (!facts) {
            out.push_back(failed(path, error));
        } else if (facts->kind == FileKind::directory) {
            walk(path, patterns, out);
        } else if (facts->kind == FileKind::fifo) {
            out.push_back({path, 0, FileStatus::ok, {}, Reading::stream});
        } else if (facts->kind != FileKind::regular) {
            out.push_back(skipped(path, "not a regular file"));
        } else {
            out.push_back(regular(path, *facts, sizes_are_made_up(path)));
        }
    }
    return out;
}

std::vector<PlannedChunk> plan_chunks(const std::vector<FileEntry>& entries,
                                      std::uint64_t chunk_size) {
    std::vector<PlannedChunk> chunks;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const FileEntry& e = entries[i];
        if (e.status != FileStatus::ok) continue;
        if (e.reading != Reading::range) {  // one piece, read to end of file
            chunks.push_back({i, 0, 0});
            continue;
        }
        const std::uint64_t count =
            std::clamp<std::uint64_t>((e.size + chunk_size - 1) / chunk_size, 1, kMaxChunksPerFile);
        // Equal parts, so the last one is not a sliver: the first `longer` ones get one byte
        // more. (Not size * k / count, which overflows for large sizes and small chunks.)
        const std::uint64_t base = e.size / count;
        const std::uint64_t longer = e.size % count;
        for (std::uint64_t k = 0, begin = 0; k < count; ++k) {
            const std::uint64_t length = base + (k < longer ? 1 : 0);
            chunks.push_back({i, begin, length});
            begin += length;
        }
    }
    return chunks;
}

}  // namespace files

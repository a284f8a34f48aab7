// The records of a template's input sources, as GNU parallel combines them: each of
// `::: VALUE…`, `:::: FILE` and `-a FILE` is a source; several sources give every
// combination (the last varies fastest), `:::+`/`::::+` zips a source with the one before
// it (as many records as the shorter), `--link` zips them all (the shorter ones wrap
// around). Each record's columns are its sources' values, each split by --colsep.
//
// Streaming: the first source is read as its records arrive (stdin, a FIFO that never
// closes); every other source is read whole before the first record is handed out (GNU
// parallel does the same), so only the first may be endless.
#pragma once

#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "record_reader.hpp"

namespace run {

struct InputSource {
    std::vector<std::string> values;  // ::: VALUE…
    std::optional<std::string> path;  // :::: FILE or -a FILE ("-": standard input)
    bool linked = false;              // :::+ / ::::+ : zipped with the source before it
};

struct RecordSettings {
    std::string separator = "\n";                 // -0, -d: what ends a file's record
    std::optional<std::string> column_separator;  // --colsep REGEX
    bool header = false;                          // --header : the first record names columns
    bool link = false;                            // --link: every source zipped
    bool skip_blank = false;  // -r: a file's records of only blanks are no records (GNU's -r)
};

// One record for a job: its columns, or why it cannot be one.
struct ArgumentRecord {
    std::vector<std::string> columns;
    std::size_t line = 0;  // in the first source when it is a file, else 0
    std::string error;     // non-empty: "line N: longer than 1 MiB"
};

class ArgumentRecords {
  public:
    // Reads every source but the first, and the first's header. Throws std::runtime_error
    // (a file cannot be read), cli::UsageError (a bad --colsep regex).
    ArgumentRecords(std::vector<InputSource> sources, const RecordSettings& settings);

    std::optional<ArgumentRecord> next();  // the next record if one is ready now
    bool ended() const;                    // every record handed out
    int wait_fd() const;                   // readable when next() may have more; -1: never waits
    const std::vector<std::string>& column_names() const { return column_names_; }

  private:
    using Columns = std::vector<std::string>;
    // The next record of the first source if one is ready; sets leading_ended_ at its end.
    std::optional<Record> next_leading();
    // The next record of the first group (the first source zipped with its partners).
    std::optional<ArgumentRecord> next_of_first_group();
    Columns split(const std::string& value) const;
    void add_names(const std::string& header);

    std::optional<std::regex> column_separator_;
    std::optional<char> column_char_;  // --colsep is one plain character: no regex needed
    bool wrap_ = false;                // --link: shorter sources wrap around
    bool skip_blank_ = false;
    std::vector<std::string> column_names_;

    // The first source, streamed.
    std::optional<RecordReader> reader_;
    std::vector<std::string> values_;  // or its ::: values
    std::size_t next_value_ = 0;
    std::size_t leading_count_ = 0;  // records of the first source taken so far
    bool leading_ended_ = false;
    // The sources zipped with the first (whole), and what the first gave while they may
    // still need it to wrap (--link).
    std::vector<std::vector<Columns>> partners_;
    std::size_t shortest_partner_ = 0;
    std::size_t longest_partner_ = 0;
    std::vector<Columns> leading_kept_;  // --link: the first's records a partner may wrap to
    // The other groups: their zipped records, combined with every record of the first.
    std::vector<std::vector<Columns>> groups_;
    std::size_t combinations_ = 1;

    std::optional<ArgumentRecord> current_;  // a record of the first group being combined
    std::size_t combination_ = 0;            // the next of its combinations
    std::size_t group_index_ = 0;            // records of the first group handed out
    bool first_group_ended_ = false;
};

}  // namespace run

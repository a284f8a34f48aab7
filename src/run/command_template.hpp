// A `forkline run` command template and how one job's arguments go into it, as GNU parallel's
// replacement strings: {} the arguments, {.} without extension, {/} basename, {//} dirname,
// {/.} basename without extension, {#} the job number, {%} the job slot, {N} {N.} {N/} {N//}
// {N/.} the N-th argument (N >= 1: a column of --colsep or of several sources, or with -N a
// record), {name} a --header column. An unknown {…} stays as written. A path's directories
// end at '/' (on Windows at '\\' too).
//
// Unlike GNU parallel, the template is read with sh's quoting rules (those of the pipeline
// parser): each argument is written for the place it lands in (outside quotes, inside '…',
// inside "…", after a backslash, inside $(…) or `…` under --shell) so that it becomes part
// of its word exactly as it is, whatever its bytes. Under cmd.exe (--shell on Windows) a
// value is written for cmd and the program's CommandLineToArgvW: quoted, its cmd syntax
// escaped with ^; inside the template's "…", only what "…" needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace run {

struct TemplatePiece;  // literal text or one placeholder (command_template.cpp)

// One job's arguments: records × columns. A record is one input item (a line, a ::: value,
// or one combination of several sources); its columns come from --colsep or from the
// sources of a combination (one column otherwise). -n/-N/-m/-X put several records in a job.
using Arguments = std::vector<std::vector<std::string>>;

enum class ReplaceMode {
    single,    // {} is every argument of the job, separate words (or spaces inside quotes)
    multiple,  // -m: the same, with as many arguments as fit the command line
    context,   // -X: the word holding {} is repeated for each record (pre{}post -> pre1post
               // pre2post)
};

struct TemplateSettings {
    std::string replacement = "{}";  // -I STR replaces {} (only {})
    ReplaceMode mode = ReplaceMode::single;
    bool shell = false;  // the command is run by a shell (--shell)
    // The shell is cmd.exe (--shell on Windows): a value is written for cmd and
    // CommandLineToArgvW instead of sh (command_template.cpp, append_for_cmd).
    bool cmd = false;
    std::vector<std::string> column_names{};  // --header: {name} is that column
    std::size_t exact_records = 0;  // -N K: {N} up to K records' worth always exists, empty
                                    // past the end of a short last job (as GNU)
    bool insert_none = false;       // -N 0: a job per record, none of it in the command
};

// An argument the template asks for is not there ({3} with 2 columns), or a value cannot be
// written where it lands (under cmd.exe, a '"' inside the template's "…"). The message has
// no line number: the caller adds "line N: ".
class ExpandError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class CommandTemplate {
  public:
    // Throws cli::UsageError when the template cannot work (an unterminated quote, an empty
    // replacement string).
    CommandTemplate(std::string text, TemplateSettings settings);
    ~CommandTemplate();
    CommandTemplate(CommandTemplate&&) noexcept;
    CommandTemplate& operator=(CommandTemplate&&) noexcept;

    // False: no placeholder at all, the arguments are appended as separate words (as GNU).
    bool has_placeholder() const;
    std::size_t highest_column() const;  // largest N of {N…} (or {name}) used, 0 if none
    const TemplateSettings& settings() const;

    // The command line of one job; `seq` is {#}, `slot` {%}. Throws ExpandError.
    std::string expand(const Arguments& args, std::uint64_t seq, unsigned slot) const;

    // The same as text for people (--tagstring), not a command: each value inserted as it
    // is, the template's text (quotes included) as written, nothing appended. Throws
    // ExpandError.
    std::string expand_text(const Arguments& args, std::uint64_t seq, unsigned slot) const;

    // For -m/-X batching, without expanding: the bytes of the command line without any
    // record (with {#} and {%} at their widest), and at most how many bytes one more record
    // adds to it. Never throws.
    std::size_t base_size() const;
    std::size_t record_size(const std::vector<std::string>& record) const;

  private:
    std::string text_;
    TemplateSettings settings_;
    std::vector<TemplatePiece> pieces_;
};

}  // namespace run

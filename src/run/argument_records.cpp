#include "argument_records.hpp"

#include <algorithm>
#include <limits>

#include "tool.hpp"
#include "usage_error.hpp"

namespace run {

namespace {

using Columns = std::vector<std::string>;

void append(Columns& to, const Columns& from) {
    to.insert(to.end(), from.begin(), from.end());
}

// A --colsep that is one character with no meaning in a regex (',', '\t', ' '…).
std::optional<char> plain_character(const std::string& separator) {
    if (separator == "\\t") return '\t';
    if (separator.size() == 1 &&
        std::string_view(".^$|()[]{}*+?\\").find(separator[0]) == std::string_view::npos)
        return separator[0];
    return std::nullopt;
}

bool blank(const std::string& record) {
    return record.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

ArgumentRecords::ArgumentRecords(std::vector<InputSource> sources, const RecordSettings& settings)
    : wrap_(settings.link), skip_blank_(settings.skip_blank) {
    if (settings.column_separator) {
        column_char_ = plain_character(*settings.column_separator);
        if (!column_char_) {
            try {
                column_separator_.emplace(*settings.column_separator);
            } catch (const std::regex_error& e) {
                throw cli::UsageError("--colsep: bad regular expression " +
                                      cli::quoted(*settings.column_separator) + ": " + e.what());
            }
        }
    }
    if (sources.empty()) sources.push_back({.values = {}, .path = "-"});
    // The first source streams; its header comes first.
    auto& first = sources.front();
    if (first.path) {
        reader_.emplace(*first.path, settings.separator);
        if (settings.header) {
            if (auto header = reader_->next_waiting()) add_names(header->text);
        }
    } else {
        values_ = std::move(first.values);
        if (settings.header && !values_.empty()) add_names(values_[next_value_++]);
    }
    // The others, whole; each joins the group of the one before it when linked.
    bool first_group = true;
    std::vector<std::vector<Columns>> group;  // the sources of the group being built
    const auto close_group = [&] {
        if (first_group) {
            partners_ = std::move(group);
        } else {
            std::size_t length = std::numeric_limits<std::size_t>::max();
            for (const auto& source : group) length = std::min(length, source.size());
            std::vector<Columns> zipped(length);
            for (std::size_t i = 0; i < length; ++i) {
                for (const auto& source : group) append(zipped[i], source[i]);
            }
            combinations_ *= zipped.size();
            groups_.push_back(std::move(zipped));
        }
        group.clear();
        first_group = false;
    };
    for (std::size_t i = 1; i < sources.size(); ++i) {
        if (!sources[i].linked && !settings.link) close_group();
        auto values = sources[i].path
                          ? RecordReader(*sources[i].path, settings.separator).read_all()
                          : std::move(sources[i].values);
        if (sources[i].path && skip_blank_) std::erase_if(values, blank);
        std::vector<Columns> records;
        for (std::size_t v = 0; v < values.size(); ++v) {
            if (v == 0 && settings.header) {
                add_names(values[v]);
            } else {
                records.push_back(split(values[v]));
            }
        }
        group.push_back(std::move(records));
    }
    close_group();
    if (!partners_.empty()) {
        shortest_partner_ = std::numeric_limits<std::size_t>::max();
        for (const auto& partner : partners_) {
            shortest_partner_ = std::min(shortest_partner_, partner.size());
            longest_partner_ = std::max(longest_partner_, partner.size());
        }
    }
    if (combinations_ == 0 || (!partners_.empty() && shortest_partner_ == 0 && !wrap_))
        first_group_ended_ = leading_ended_ = true;  // no record at all: read nothing
}

void ArgumentRecords::add_names(const std::string& header) {
    append(column_names_, split(header));
}

ArgumentRecords::Columns ArgumentRecords::split(const std::string& value) const {
    if (column_char_) {
        Columns columns;
        std::size_t from = 0;
        for (std::size_t at; (at = value.find(*column_char_, from)) != std::string::npos;
             from = at + 1)
            columns.push_back(value.substr(from, at - from));
        columns.push_back(value.substr(from));
        return columns;
    }
    if (!column_separator_) return {value};
    return Columns(std::sregex_token_iterator(value.begin(), value.end(), *column_separator_, -1),
                   std::sregex_token_iterator());
}

std::optional<Record> ArgumentRecords::next_leading() {
    if (leading_ended_) return std::nullopt;
    std::optional<Record> record;
    if (reader_) {
        do {
            record = reader_->next();
        } while (record && skip_blank_ && !record->too_long && blank(record->text));
        if (!record && reader_->ended()) leading_ended_ = true;
    } else if (next_value_ < values_.size()) {
        record = Record{std::move(values_[next_value_++]), 0};
    } else {
        leading_ended_ = true;
    }
    if (record) ++leading_count_;
    return record;
}

std::optional<ArgumentRecord> ArgumentRecords::next_of_first_group() {
    const bool partnered = !partners_.empty();
    if (first_group_ended_ || (partnered && !wrap_ && group_index_ >= shortest_partner_)) {
        first_group_ended_ = true;
        return std::nullopt;
    }
    ArgumentRecord record;
    if (auto leading = next_leading()) {
        record.line = leading->number;
        if (leading->too_long) {
            record.error = "line " + std::to_string(leading->number) + ": longer than 1 MiB";
        } else {
            record.columns = split(leading->text);
        }
        if (wrap_ && partnered && leading_count_ <= longest_partner_)
            leading_kept_.push_back(record.columns);
    } else if (!leading_ended_) {
        return std::nullopt;  // not read yet
    } else if (wrap_ && partnered && group_index_ < longest_partner_ && !leading_kept_.empty()) {
        record.columns = leading_kept_[group_index_ % leading_kept_.size()];
    } else {
        first_group_ended_ = true;
        return std::nullopt;
    }
    for (const auto& partner : partners_) {
        if (!partner.empty()) append(record.columns, partner[group_index_ % partner.size()]);
    }
    ++group_index_;
    return record;
}

std::optional<ArgumentRecord> ArgumentRecords::next() {
    if (!current_) {
        current_ = next_of_first_group();
        if (!current_) return std::nullopt;
        combination_ = 0;
        if (!current_->error.empty()) return std::exchange(current_, std::nullopt);
    }
    ArgumentRecord record = *current_;
    // Mixed radix, the last group the fastest digit.
    std::vector<std::size_t> digits(groups_.size());
    for (std::size_t k = combination_, g = groups_.size(); g-- > 0;) {
        digits[g] = k % groups_[g].size();
        k /= groups_[g].size();
    }
    for (std::size_t g = 0; g < groups_.size(); ++g) append(record.columns, groups_[g][digits[g]]);
    if (++combination_ == combinations_) current_.reset();
    return record;
}

bool ArgumentRecords::ended() const {
    return first_group_ended_ && !current_;
}

int ArgumentRecords::wait_fd() const {
    return reader_ && !leading_ended_ ? reader_->fd() : -1;
}

}  // namespace run

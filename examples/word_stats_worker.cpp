// The worker for typed_jobs: counts the words and lines of a Document. Same codecs as the
// supervisor: Document as JSON, WordStats as its bytes.
#include <forkline/forkline.hpp>
#include <sstream>
#include <stdexcept>

#include "document.hpp"

int main() {
    return forkline::serve_typed<Document, WordStats>([](const Document& doc) {
        if (doc.title.empty()) throw std::invalid_argument("untitled document");
        WordStats stats{0, 0, forkline::worker_index().value_or(0)};
        std::istringstream words(doc.text);
        for (std::string word; words >> word;) ++stats.words;
        for (const char c : doc.text) stats.lines += c == '\n' ? 1 : 0;
        return stats;
    });
}

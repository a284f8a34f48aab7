#include "output_file.hpp"

namespace files {

std::FILE* open_output_file(const std::string& path) {
    return std::fopen(path.c_str(), "we");
}

}  // namespace files

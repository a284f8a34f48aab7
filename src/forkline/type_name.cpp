#include "type_name.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace forkline {

std::string readable_type_name(const std::type_info& type) {
    int status = 0;
    const std::unique_ptr<char, decltype(&std::free)> name(
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(type.name());
}

std::string current_exception_type_name() {
    const std::type_info* type = abi::__cxa_current_exception_type();
    return type != nullptr ? readable_type_name(*type) : std::string();
}

}  // namespace forkline

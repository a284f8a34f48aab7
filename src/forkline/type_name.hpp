// The readable name of a type, for reports ("std::invalid_argument", not "St16invalid_argument").
#pragma once

#include <string>
#include <typeinfo>

namespace forkline {

// The demangled name of `type`; its mangled name if it cannot be demangled.
std::string readable_type_name(const std::type_info& type);

// The type of the exception being handled (inside a catch block, even catch (...));
// empty outside one.
std::string current_exception_type_name();

}  // namespace forkline

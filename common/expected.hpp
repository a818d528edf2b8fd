#pragma once
// Temporary stand-in (branch h8) until main's sb::expected lands; main's version replaces this file on merge.
#include <expected>
namespace sb {
template <class T, class E>
using expected = std::expected<T, E>;
using std::unexpected;
}  // namespace sb

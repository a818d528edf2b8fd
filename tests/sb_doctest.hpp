#pragma once

// doctest for the project's tests: include this instead of <doctest/doctest.h>. It teaches doctest to print
// sb::expected, whose Boost operator<< only compiles when the value type is printable itself.

#include <string_view>

#include <doctest/doctest.h>

#include "common/expected.hpp"

namespace doctest {

template <class T, class E>
struct StringMaker<boost::system::result<T, E>> {
    static String convert(const boost::system::result<T, E>& r) { return r ? "a value" : "an error"; }
};

}  // namespace doctest

// Known defect (issue 9): the address validators lean on the platform's inet_pton, which under wine accepts
// forms that Linux rejects (e.g. "010.0.0.1", "10.0.0.5:4789"). Their Windows cases are skipped, visibly,
// until the validators check dotted quads themselves.
inline bool sb_on_windows() {
    return std::string_view(SB_PLATFORM) == "windows";
}

#pragma once

// doctest for the project's tests: include this instead of <doctest/doctest.h>. It teaches doctest to print
// sb::expected, whose Boost operator<< only compiles when the value type is printable itself.

#include <doctest/doctest.h>

#include "common/expected.hpp"

namespace doctest {

template <class T, class E>
struct StringMaker<boost::system::result<T, E>> {
    static String convert(const boost::system::result<T, E>& r) { return r ? "a value" : "an error"; }
};

}  // namespace doctest

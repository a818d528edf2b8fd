#pragma once

// The project's result type: a value or an error. std::expected would serve, but Clang 14 with libstdc++ 12
// (Debian 12's defaults) does not provide it, so every compiler uses Boost.System's result instead.

#include <utility>

#include <boost/system/result.hpp>

namespace sb {

template <class T, class E>
using expected = boost::system::result<T, E>;

// The error side, spelled as with std::expected: `return sb::unexpected(error);`.
template <class E>
class unexpected {
  public:
    explicit unexpected(E error) : error_(std::move(error)) {}

    template <class T, class E2>
    operator boost::system::result<T, E2>() && {
        return boost::system::result<T, E2>(boost::system::in_place_error, std::move(error_));
    }

  private:
    E error_;
};

template <class E>
unexpected(E) -> unexpected<E>;

}  // namespace sb

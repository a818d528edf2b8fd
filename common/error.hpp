#pragma once

#include <stdexcept>
#include <string>

#include "common/exit_code.hpp"

namespace sb {

// A failure the user or the environment caused. It ends the command: the message is one line that says
// what is wrong and what to do, and `code` becomes the process exit status (in main, nowhere else).
class Failure : public std::runtime_error {
  public:
    Failure(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ExitCode code() const noexcept { return code_; }

  private:
    ExitCode code_;
};

}  // namespace sb

namespace sb {

// Thrown when a stop was requested (SIGTERM, service stop) in the middle of a wait. Not a failure: a service
// stopping is normal; a one-shot command that was interrupted reports it.
struct Stopped {};

}  // namespace sb

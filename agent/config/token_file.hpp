#pragma once

// The join token file (--token-file): one SWMTKN-1-... token; whitespace around it (a trailing newline) is
// ignored. Read once before anything waits, so that a missing or wrong file ends the agent at once.

#include <filesystem>
#include <string>

#include "common/expected.hpp"
#include "common/secret.hpp"

namespace sb {

// The token, or what is wrong with the file. The message names the file, never its content: a token with
// a typo, or a key pasted by mistake, is still a secret.
sb::expected<Secret, std::string> read_token_file(const std::filesystem::path& path);

}  // namespace sb

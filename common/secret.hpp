#pragma once

#include <string>
#include <string_view>

namespace sb {

// Holds a join token or key material. It has no formatter and no stream operator on purpose:
// the only way to the value is reveal(), which is called where the secret goes on the wire.
class Secret {
  public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    const std::string& reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    bool operator==(const Secret& other) const = default;

  private:
    std::string value_;
};

// Replaces swarm join tokens (SWMTKN-1-...) and PEM private key blocks with "<redacted>".
// Applied to every log line and error message as a second line of defence.
std::string redact(std::string_view text);

// True when `token` has the shape of a swarm join token (SWMTKN-1-<digest>-<secret>).
bool looks_like_join_token(std::string_view token);

}  // namespace sb

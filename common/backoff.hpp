#pragma once

#include <functional>
#include <random>

#include "common/duration.hpp"

namespace sb {

struct BackoffPolicy {
    Duration initial{1000};
    Duration max{10'000};
    double multiplier = 2.0;
};

// A uniform random number in [0, 1). Injected so that tests are deterministic.
using UniformRandom = std::function<double()>;

UniformRandom make_uniform_random(std::uint64_t seed);

// Delay before attempt `attempt` (0-based) with "equal jitter": the exponential step d = initial * m^attempt,
// capped at max, is jittered within [d/2, d]. Many agents booted together thus spread out, yet every
// wait stays close to the policy the operator chose. A pure function of its inputs.
Duration backoff_delay(int attempt, const BackoffPolicy& policy, double uniform01);

// Stateful helper for a retry loop.
class Backoff {
  public:
    Backoff(BackoffPolicy policy, UniformRandom random) : policy_(policy), random_(std::move(random)) {}
    Duration next() { return backoff_delay(attempt_++, policy_, random_()); }
    int attempts() const { return attempt_; }
    void reset() { attempt_ = 0; }

  private:
    BackoffPolicy policy_;
    UniformRandom random_;
    int attempt_ = 0;
};

}  // namespace sb

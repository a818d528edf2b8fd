#include "common/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace sb {

UniformRandom make_uniform_random(std::uint64_t seed) {
    auto engine = std::make_shared<std::mt19937_64>(seed);
    return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

Duration backoff_delay(int attempt, const BackoffPolicy& policy, double uniform01) {
    const double initial = static_cast<double>(std::max<Duration::rep>(policy.initial.count(), 1));
    const double cap = static_cast<double>(std::max(policy.max, policy.initial).count());
    // Clamp the exponent so a long wait cannot overflow the double.
    const double step =
        std::min(cap, initial * std::pow(std::max(policy.multiplier, 1.0), std::min(attempt, 64)));
    const double u = std::clamp(uniform01, 0.0, 1.0);
    return Duration(static_cast<Duration::rep>(std::llround(step / 2.0 + u * step / 2.0)));
}

}  // namespace sb

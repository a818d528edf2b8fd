#include "common/clock.hpp"

namespace sb {

bool SystemClock::sleep_for(Duration d, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    // Nothing notifies cv_ but a stop request, so this returns after `d` or on stop.
    cv_.wait_for(lock, stop, d, [] { return false; });
    return !stop.stop_requested();
}

}  // namespace sb

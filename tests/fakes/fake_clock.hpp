#pragma once

#include <functional>
#include <mutex>

#include "common/clock.hpp"

namespace sb::test {

// Virtual time: sleep_for returns at once and moves the clock on. `on_advance` lets a test script events
// ("the manager initialises the swarm at t=30s") against virtual time.
class FakeClock final : public Clock {
  public:
    time_point now() override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    bool sleep_for(Duration d, std::stop_token stop) override {
        if (stop.stop_requested()) {
            return false;
        }
        advance(d);
        slept_ += d;
        ++sleeps_;
        return !stop.stop_requested();
    }
    void advance(Duration d) {
        {
            std::lock_guard lock(mutex_);
            now_ += d;
        }
        if (on_advance) {
            on_advance(elapsed());
        }
    }
    Duration elapsed() {
        std::lock_guard lock(mutex_);
        return std::chrono::duration_cast<Duration>(now_ - start_);
    }
    Duration slept() const { return slept_; }
    int sleeps() const { return sleeps_; }

    std::function<void(Duration elapsed)> on_advance;

  private:
    std::mutex mutex_;
    time_point start_{std::chrono::hours(1)};
    time_point now_{start_};
    Duration slept_{0};
    int sleeps_ = 0;
};

}  // namespace sb::test

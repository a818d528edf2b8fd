#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

#include "common/duration.hpp"

namespace sb {

// Time is injected so that a 15-minute wait is tested in milliseconds.
class Clock {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    virtual ~Clock() = default;
    virtual time_point now() = 0;
    // Sleeps for `d` or until `stop` is requested. Returns false when it was woken by a stop request.
    virtual bool sleep_for(Duration d, std::stop_token stop) = 0;
};

class SystemClock final : public Clock {
  public:
    time_point now() override { return std::chrono::steady_clock::now(); }
    bool sleep_for(Duration d, std::stop_token stop) override;

  private:
    std::mutex mutex_;
    std::condition_variable_any cv_;
};

// A point in time after which a phase gives up.
class Deadline {
  public:
    Deadline(Clock& clock, Duration budget) : clock_(&clock), end_(clock.now() + budget) {}
    Duration remaining() const {
        auto left = std::chrono::duration_cast<Duration>(end_ - clock_->now());
        return left.count() > 0 ? left : Duration(0);
    }
    bool expired() const { return clock_->now() >= end_; }

  private:
    Clock* clock_;
    Clock::time_point end_;
};

}  // namespace sb

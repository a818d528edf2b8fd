#pragma once

// Where background work (API probes, swarm-port connects) hands its results to the waiting loop. The loop
// sleeps on the injected Clock, as everywhere, but a posted result wakes it at once: the first ready manager
// is acted on the moment it answers, not at the next tick.

#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "common/clock.hpp"

namespace sb {

template <class Event>
class Inbox {
  public:
    // Safe from any thread.
    void post(Event e) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(e));
        if (waker_) {
            waker_->request_stop();
        }
    }

    std::vector<Event> take() {
        std::lock_guard lock(mutex_);
        std::vector<Event> out(std::make_move_iterator(events_.begin()),
                               std::make_move_iterator(events_.end()));
        events_.clear();
        return out;
    }

    // Sleeps on `clock` for up to `d`; returns early when an event is posted (or one is already waiting).
    // Returns false when `stop` was requested.
    bool wait(Clock& clock, Duration d, std::stop_token stop) {
        std::stop_source wake;
        {
            std::lock_guard lock(mutex_);
            if (!events_.empty()) {
                return !stop.stop_requested();
            }
            waker_ = wake;
        }
        {
            std::stop_callback on_stop(stop, [&wake] { wake.request_stop(); });
            clock.sleep_for(d, wake.get_token());
        }
        std::lock_guard lock(mutex_);
        waker_.reset();
        return !stop.stop_requested();
    }

  private:
    std::mutex mutex_;
    std::deque<Event> events_;
    std::optional<std::stop_source> waker_;
};

}  // namespace sb

#pragma once

// Threads that run on by themselves: a probe that may hang must hold up no one, so nobody joins it.

#include <functional>
#include <future>
#include <thread>

namespace sb {

// Runs `task` on a thread of its own and lets it go. The thread starts the task only once it is detached:
// with mingw-w64's threads (winpthreads), a thread that ends while pthread_detach is still at work on it can
// have its record freed twice, a heap corrupted now and then (seen under wine as a crash about once in 15
// joins).
inline void spawn_detached(std::function<void()> task) {
    std::promise<void> detached;
    std::thread([task = std::move(task), go = detached.get_future()]() mutable {
        go.wait();
        task();
    }).detach();
    detached.set_value();
}

}  // namespace sb

#pragma once

// Threads that run on by themselves: a probe that may hang must hold up no one, so nobody joins it.

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace sb {

// Runs `task` on a thread of its own and lets it go. The thread starts the task only once it is detached:
// with mingw-w64's threads (winpthreads), a thread that ends while pthread_detach is still at work on it can
// have its record freed twice, a heap corrupted now and then (seen under wine as a crash about once in 15
// joins). The gate is a flag, not a future: it must not lean on the condition variables it would guard (the
// detach takes microseconds, the thread yields meanwhile).
inline void spawn_detached(std::function<void()> task) {
    auto detached = std::make_shared<std::atomic<bool>>(false);
    std::thread([task = std::move(task), detached]() mutable {
        while (!detached->load(std::memory_order_acquire)) {
            std::this_thread::yield();
        }
        task();
    }).detach();
    detached->store(true, std::memory_order_release);
}

}  // namespace sb

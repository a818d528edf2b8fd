#include "common/backoff.hpp"

#include "sb_doctest.hpp"

#include <set>

using namespace sb;

TEST_CASE("backoff grows exponentially within [d/2, d] and stops at the cap") {
    BackoffPolicy p{Duration(1000), Duration(10'000), 2.0};
    CHECK(backoff_delay(0, p, 0.0) == Duration(500));
    CHECK(backoff_delay(0, p, 1.0) == Duration(1000));
    CHECK(backoff_delay(1, p, 1.0) == Duration(2000));
    CHECK(backoff_delay(3, p, 1.0) == Duration(8000));
    CHECK(backoff_delay(4, p, 1.0) == Duration(10'000));
    CHECK(backoff_delay(4, p, 0.0) == Duration(5000));
    // Huge attempt numbers neither overflow nor exceed the cap.
    CHECK(backoff_delay(1'000'000, p, 0.999) <= Duration(10'000));
    CHECK(backoff_delay(1'000'000, p, 0.0) >= Duration(5000));
}

TEST_CASE("every delay stays within its bounds for any random draw") {
    BackoffPolicy p{Duration(200), Duration(3000), 2.0};
    auto random = make_uniform_random(7);
    for (int attempt = 0; attempt < 40; ++attempt) {
        for (int i = 0; i < 50; ++i) {
            auto d = backoff_delay(attempt, p, random());
            double step = std::min(3000.0, 200.0 * std::pow(2.0, attempt));
            CHECK(d.count() >= static_cast<long long>(step / 2) - 1);
            CHECK(d.count() <= static_cast<long long>(step) + 1);
        }
    }
}

TEST_CASE("jitter spreads agents that start together") {
    BackoffPolicy p{Duration(1000), Duration(10'000), 2.0};
    std::set<Duration::rep> seen;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Backoff b(p, make_uniform_random(seed));
        b.next();
        seen.insert(b.next().count());
    }
    CHECK(seen.size() >= 15);
}

TEST_CASE("the same seed gives the same delays; reset starts over") {
    BackoffPolicy p{Duration(100), Duration(5000), 2.0};
    Backoff a(p, make_uniform_random(42));
    Backoff b(p, make_uniform_random(42));
    for (int i = 0; i < 10; ++i) {
        CHECK(a.next() == b.next());
    }
    CHECK(a.attempts() == 10);
    a.reset();
    CHECK(a.attempts() == 0);
    CHECK(a.next() <= Duration(100));
}

TEST_CASE("a max below initial is treated as initial") {
    BackoffPolicy p{Duration(2000), Duration(1000), 2.0};
    CHECK(backoff_delay(5, p, 1.0) == Duration(2000));
}

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "common/logging.hpp"

int main(int argc, char** argv) {
    // Tests read log lines through their own sinks; keep the console quiet unless asked.
    sb::setup_logging(spdlog::level::trace, sb::LogFormat::text, false);
    doctest::Context context(argc, argv);
    return context.run();
}

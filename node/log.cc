#include "node/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

namespace fulei::node {
namespace {

// syslog priorities (sd-daemon.h's SD_ERR...) of spdlog's levels.
int JournalPriority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return 7;
    case spdlog::level::info:
      return 6;
    case spdlog::level::warn:
      return 4;
    case spdlog::level::err:
      return 3;
    default:
      return 2;
  }
}

class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit StderrSink(bool journal) : journal_(journal) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    if (journal_) {
      const std::string prefix = "<" + std::to_string(JournalPriority(msg.level)) + ">";
      line.append(prefix.data(), prefix.data() + prefix.size());
    }
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  bool journal_;
};

Result<spdlog::level::level_enum> ParseLevel(std::string_view level) {
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "info") return spdlog::level::info;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  return InvalidArgument("log level must be trace, debug, info, warn or error");
}

}  // namespace

Status InitLogging(std::string_view level) {
  FULEI_ASSIGN_OR_RETURN(spdlog::level::level_enum lv, ParseLevel(level));
  const char* journal = std::getenv("JOURNAL_STREAM");
  const bool under_journal = journal != nullptr && *journal != '\0';
  auto sink = std::make_shared<StderrSink>(under_journal);
  auto logger = std::make_shared<spdlog::logger>("fulei", sink);
  // journald stamps lines itself; elsewhere the time comes first, in UTC.
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      under_journal ? "%l %v" : "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc));
  logger->set_level(lv);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

Status SetLogLevel(std::string_view level) {
  FULEI_ASSIGN_OR_RETURN(spdlog::level::level_enum lv, ParseLevel(level));
  spdlog::default_logger()->set_level(lv);
  return Status::Ok();
}

}  // namespace fulei::node

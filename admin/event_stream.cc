// EventStreams: one Stream per client over the shared EventLog (see event_stream.hh).
#include "admin/event_stream.hh"

namespace admin {

namespace {

class LogStream final : public Stream {
 public:
  LogStream(control::EventLog& log, std::uint64_t after,
            std::shared_ptr<std::atomic<std::size_t>> open)
      : log_(log), cursor_(after), open_(std::move(open)) {}
  ~LogStream() override {
    if (subscription_) log_.unsubscribe(subscription_);
    open_->fetch_sub(1);
  }

  std::optional<std::string> read() override {
    control::EventBatch batch = log_.read_after(cursor_);
    // The first read replays what is retained, whatever came before; a later gap means this
    // client did not keep up, and silently skipping events would mislead it.
    if (batch.gap && replayed_) return std::nullopt;
    replayed_ = true;
    cursor_ = batch.last;
    return std::move(batch.text);
  }

  void on_ready(std::function<void()> wake) override {
    subscription_ = log_.subscribe(std::move(wake));
  }

 private:
  control::EventLog& log_;
  std::uint64_t cursor_;
  bool replayed_ = false;
  std::uint64_t subscription_ = 0;
  std::shared_ptr<std::atomic<std::size_t>> open_;
};

}  // namespace

std::unique_ptr<Stream> EventStreams::open(std::uint64_t after) {
  std::size_t open = open_->load();
  do {
    if (open >= max_) return nullptr;
  } while (!open_->compare_exchange_weak(open, open + 1));
  return std::make_unique<LogStream>(log_, after, open_);
}

}  // namespace admin

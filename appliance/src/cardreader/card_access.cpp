#include "cardreader/card_access.hpp"

#include "cardreader/pcsc.hpp"

namespace kh::cardreader {

CardWorker& JpkiCards::workerFor(const std::string& reader) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& worker = workers_[reader];
    if (!worker) worker = std::make_unique<CardWorker>();
    return *worker;
}

// The job owns what it writes: it may outlive the wait (card_worker.hpp).
CardReading JpkiCards::read(const std::string& reader, bool withPinStatus, std::chrono::milliseconds deadline) {
    auto reading = std::make_shared<CardReading>();
    workerFor(reader).run(
        [reader, reading, withPinStatus] {
            PcscContext context;
            CardConnection connection(context, reader);
            JpkiCard card(connection);
            card.selectApplication();
            reading->certificate = card.readAuthCertificate();
            if (withPinStatus) reading->pin = card.authPinStatus();
        },
        deadline);
    return std::move(*reading);
}

Bytes JpkiCards::sign(const std::string& reader, std::shared_ptr<SecurePin> pin, const Bytes& digestInfo,
                      const Bytes& certificate, std::chrono::milliseconds deadline) {
    auto signature = std::make_shared<Bytes>();
    workerFor(reader).run(
        [reader, pin, digestInfo, certificate, signature] {
            PcscContext context;
            CardConnection connection(context, reader);
            JpkiCard card(connection);
            *signature = card.signWithAuthKey(*pin, digestInfo, certificate);
        },
        deadline);
    return std::move(*signature);
}

}  // namespace kh::cardreader

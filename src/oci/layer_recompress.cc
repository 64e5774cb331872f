// RecompressLayer: LayerBlobReader -> LayerBlobWriter into a staged blob, constant memory.
#include "oci/layer_recompress.h"

#include "oci/layer_stream.h"

namespace builder::oci {

Result<Descriptor> RecompressLayer(const ImageStore& store, const Descriptor& layer, Compression to,
                                   ImageFormat format) {
  UniqueFd in = BUILDER_TRY(store.blobs().OpenFd(layer.digest));
  auto reader = BUILDER_TRY(LayerBlobReader::Open(in.get(), LayerCompressionOf(layer.media_type), {layer.digest, {}}));
  StagedFile staged = BUILDER_TRY(store.blobs().Stage());
  auto writer = BUILDER_TRY(LayerBlobWriter::Create(staged.fd(), CompressOptions{.compression = to}));
  auto pumped = Pump(*reader, *writer);
  if (!pumped) return Fail(std::move(pumped.error()).Context("recompress layer " + layer.digest.str()));
  LayerDigests digests = BUILDER_TRY(writer->Finish());
  BUILDER_TRY(store.blobs().Commit(std::move(staged), digests.digest));
  Descriptor out;
  out.media_type = std::string(LayerMediaType(format, to));
  out.digest = digests.digest;
  out.size = static_cast<std::int64_t>(digests.size);
  out.annotations = layer.annotations;
  return out;
}

}  // namespace builder::oci

// The local images' build tools and the PostgreSQL image's entrypoint (see
// scripts/cluster/build-images): standard library only.
module todoctl.local/cluster/images

go 1.26.0

module todoctl.local/cluster/nodeimages

go 1.26

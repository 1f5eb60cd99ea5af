module todoctl.local/devctl

go 1.26

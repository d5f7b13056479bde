dist_man_MANS += \
	man/mcp-fetch.1 man/mcp-verify.1 man/mcp-policy.1 man/mcp-exec.1 \
	man/mcp-audit.1 man/mcp-run.1 man/mcp-pack.1 \
	man/mcp-documents.5 man/mcp-config.5 man/mcp-tools.7

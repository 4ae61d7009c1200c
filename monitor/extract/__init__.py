"""Page to article: the text (trafilatura), furniture removal, metadata and scope."""

"""The province's licensing register: the facilities it has licensed, imported from the
licensing system's exports, each address placed in a post-2025 commune."""

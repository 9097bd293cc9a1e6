"""folio-client: render prompts managed in a Folio repository, from a signed manifest, with
the guarantees of Folio's Swift SDK (signature, rollback protection, expiry, strict
variables, a cache that survives outages).

    from folio_client import FolioClient
    client = FolioClient("https://prompts.example.com/production/manifest.json", [public_key_line])
    prompt = client.render("support_ticket_triage", ticket_text=text)
    openai_client.chat.completions.create(**prompt.openai_arguments())
"""
from ._client import AsyncFolioClient, FolioClient, LocalFolioClient
from ._errors import ConfigurationError, FolioError, RenderError, TrustError, UnavailableError, UnknownPromptError
from ._types import OpenAIChatArguments, PromptTemplate, PromptVersionInfo, RenderedPrompt

__all__ = [
    "AsyncFolioClient",
    "ConfigurationError",
    "FolioClient",
    "FolioError",
    "LocalFolioClient",
    "OpenAIChatArguments",
    "PromptTemplate",
    "PromptVersionInfo",
    "RenderError",
    "RenderedPrompt",
    "TrustError",
    "UnavailableError",
    "UnknownPromptError",
]
#: The same version as the `folio` CLI and its wheel (one release, one number). This SDK
#: reads manifests of schema folio/manifest@1.
__version__ = "2.0.0"
#: The manifest schema this version reads.
MANIFEST_SCHEMA = "folio/manifest@1"

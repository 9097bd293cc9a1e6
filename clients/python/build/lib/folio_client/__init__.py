"""folio-client: render prompts managed in a Folio repository, from a signed manifest, with
the guarantees of Folio's Swift SDK (signature, rollback protection, expiry, strict
variables, a cache that survives outages).

    from folio_client import FolioClient
    client = FolioClient("https://prompts.example.com/production/manifest.json", [public_key_line])
    prompt = client.render("support_ticket_triage", {"ticket_text": text})
    openai_client.chat.completions.create(model=prompt.model_name, messages=prompt.messages)
"""
from ._client import AsyncFolioClient, FolioClient, PromptVersionInfo, RenderedPrompt
from ._errors import ConfigurationError, FolioError, RenderError, TrustError, UnavailableError, UnknownPromptError

__all__ = [
    "AsyncFolioClient",
    "ConfigurationError",
    "FolioClient",
    "FolioError",
    "PromptVersionInfo",
    "RenderError",
    "RenderedPrompt",
    "TrustError",
    "UnavailableError",
    "UnknownPromptError",
]
__version__ = "1.0.0"

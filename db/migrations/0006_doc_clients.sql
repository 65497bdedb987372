CREATE TABLE "doc_clients" (
	"doc" text NOT NULL,
	"client_id" bigint NOT NULL,
	"user_id" text,
	CONSTRAINT "doc_clients_doc_client_id_pk" PRIMARY KEY("doc","client_id")
);

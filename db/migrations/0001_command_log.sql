CREATE TABLE "command_log" (
	"exercise_id" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"from_user" text NOT NULL,
	"from_agency" text,
	"at" timestamp with time zone NOT NULL,
	"entry" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "command_log_exercise_id_seq_pk" PRIMARY KEY("exercise_id","seq")
);
--> statement-breakpoint
ALTER TABLE "command_log" ADD CONSTRAINT "command_log_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command_log" ADD CONSTRAINT "command_log_from_user_users_id_fk" FOREIGN KEY ("from_user") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "command_log_kind" ON "command_log" USING btree ("exercise_id","kind");
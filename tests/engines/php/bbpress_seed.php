<?php
/*
 * forumcrawl test bed for WordPress + bbPress (run with php-cli: php bbpress_seed.php SITE_DIR BASE_URL STEP).
 *
 * STEP "install": wordpress_seed.php's (WordPress installed, bbPress in the active plugins).
 * STEP "seed": reads a JSON spec on stdin (settings, users, threads, a blog post with comments), makes users
 *   with wp_insert_user (bbPress participants), one forum with bbp_insert_forum, every topic and reply with
 *   bbp_insert_topic / bbp_insert_reply, the blog post with wp_insert_post / wp_insert_comment, flushes the
 *   rewrite rules, and prints the ground truth read back from the posts table as one JSON line.
 */
define('FC_PLUGIN', 'bbpress/bbpress.php');
define('FC_TITLE', 'bbPress 测试站');
require __DIR__ . '/wordpress_seed.php';
if (!function_exists('bbp_insert_topic')) { fwrite(STDERR, "bbPress is not loaded\n"); exit(2); }

$uids = fc_users($spec['users']);
foreach ($uids as $name => $uid) {
    if ($uid !== 1) { bbp_set_user_role($uid, bbp_get_participant_role()); }
}

$forum = fc_check(bbp_insert_forum(array('post_title' => 'Test forum', 'post_content' => 'forumcrawl test forum',
    'post_author' => 1)), 'bbp_insert_forum');
foreach ($spec['threads'] as $thread) {
    $first = array_shift($thread['posts']);
    $topic = fc_check(bbp_insert_topic(array('post_parent' => $forum, 'post_title' => $thread['title'],
        'post_content' => $first['content'], 'post_author' => $uids[$first['author']],
        'post_date' => fc_date($first['time']), 'post_date_gmt' => fc_date($first['time'])),
        array('forum_id' => $forum)), 'bbp_insert_topic');
    foreach ($thread['posts'] as $post) {
        fc_check(bbp_insert_reply(array('post_parent' => $topic, 'post_content' => $post['content'],
            'post_author' => $uids[$post['author']], 'post_date' => fc_date($post['time']),
            'post_date_gmt' => fc_date($post['time'])), array('forum_id' => $forum, 'topic_id' => $topic)),
            'bbp_insert_reply');
    }
}

$post_id = fc_blog($spec['blog']);
fc_menu('Forums', home_url('/forums/'));
flush_rewrite_rules(false);

// The ground truth, from the posts table: every topic with its lead post and replies in the order bbPress shows them.
global $wpdb;
$rows = $wpdb->get_results("SELECT p.ID, p.post_type, p.post_parent, p.post_title, p.post_date_gmt, p.post_content,
    u.display_name FROM {$wpdb->posts} p JOIN {$wpdb->users} u ON u.ID = p.post_author
    WHERE p.post_type IN ('topic', 'reply') AND p.post_status = 'publish' ORDER BY p.post_date, p.ID", ARRAY_A);
$topics = array();
foreach ($rows as $r) {
    $tid = $r['post_type'] === 'topic' ? $r['ID'] : $r['post_parent'];
    if (!isset($topics[$tid])) {
        $topics[$tid] = array('tid' => (int) $tid, 'title' => get_the_title($tid), 'board' => get_the_title($forum), 'url' => get_permalink($tid), 'posts' => array());
    }
    $topics[$tid]['posts'][] = array('pid' => (int) $r['ID'], 'author' => $r['display_name'],
        'date_gmt' => $r['post_date_gmt'], 'content' => $r['post_content']);
}
echo json_encode(array('threads' => array_values($topics), 'forum_url' => get_permalink($forum),
    'blog_url' => get_permalink($post_id), 'comments' => fc_comments()), JSON_UNESCAPED_UNICODE) . "\n";
